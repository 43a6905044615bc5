/// The Experiments target; see its issue.
