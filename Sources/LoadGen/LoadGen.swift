/// The LoadGen target; see its issue.
