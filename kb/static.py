"""Static files served by the app servers through whitenoise (issue #7).

One middleware for every mode, so tests exercise what production runs: in
production the files come from ``collectstatic`` (``STATIC_ROOT``, hashed and
compressed names, far-future cache headers); in development and tests, where
nobody runs ``collectstatic``, straight from ``static/`` through the finders.
"""
import os

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def add_files(self, root, prefix=None):
        # Without collectstatic STATIC_ROOT does not exist: that is expected
        # when the finders serve the files, and a real problem only otherwise.
        if self.use_finders and root == self.static_root and not os.path.isdir(root):
            return
        super().add_files(root, prefix)
