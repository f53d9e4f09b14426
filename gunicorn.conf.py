"""gunicorn's settings for this app. gunicorn reads this file from the directory it starts in, so
``gunicorn wsgi:app`` run from the repository (in production, the benchmarks and the soak) uses it; flags on the
command line (-w, -b) still apply."""


def pre_request(worker, req):
    """Log the request as gunicorn's own hook does, and let a body of known length be read straight from the socket
    (app/core/serving.py: a 100 MB upload without gunicorn's buffer copies)."""
    from app.core import serving  # here: the master process need not import the app

    worker.log.debug("%s %s", req.method, req.path)
    serving.read_body_from_socket(req)
