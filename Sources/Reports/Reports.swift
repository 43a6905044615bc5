/// The Reports target; see its issue.
