"""RQ glue between the app's rows and the media pipeline: queues, jobs, state changes."""
