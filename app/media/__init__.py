"""The media asset's lifecycle, in one place: from the request to make a narration or a video
to the file readers play.

    storage_keys  where every file lives in the object store, public or private
    queues        queue names, job names and the policy of every enqueue (JSON jobs, no pickle)
    lifecycle     ask for media, cancel, retry, attach an upload (the web's side; enqueues by name)
    uploads       editors' video uploads straight from the browser (S3 multipart)
    jobs          the job functions a worker runs (ids in, nothing out)
    runner        the one runner every job goes through: retries by cause, checked renders
    state         the one place a worker changes a media asset's state
    monitor       the admin's view of the queues, workers and troubled media

The worker processes that run the jobs are in workers/; the pure media code (ffmpeg, TTS,
images) is in media_pipeline/, which knows nothing of Flask, SQLAlchemy or RQ.
"""
