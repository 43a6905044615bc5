/// The Results target; see its issue.
