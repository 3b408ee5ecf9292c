"""Reader comments: posted to a moderation queue, shown once approved."""
