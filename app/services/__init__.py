"""What views and the CLI call: publishing and the workflow, accounts, search, statistics,
storage URLs and serializers. The media lifecycle is app/media."""
