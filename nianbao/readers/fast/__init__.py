"""Speed-ups that lean on a library's internals, fenced here: each module names the versions it
was verified on and fails a test loudly when the installed version differs."""
