"""What views and the CLI call: publishing, media jobs, storage URLs, serializers."""
