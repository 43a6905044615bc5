/// The Tuner target; see its issue.
