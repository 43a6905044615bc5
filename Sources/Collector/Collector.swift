/// The Collector target; see its issue.
