"""viewflow flows: the case process, its human tasks, queues and timers. No business rules here."""
