# What the program sees of sockleak's Python hook: nothing. Prints PYTHONPATH, whether any
# sys.path entry is sockleak's, and whether the program's own sitecustomize ran.
import os
import sys

print("PYTHONPATH=%s" % os.environ.get("PYTHONPATH"))
print("sockleak-in-path=%s" % any("sockleak-python" in p for p in sys.path))
print("own-sitecustomize=%s" % os.environ.get("OWN_SITECUSTOMIZE_RAN"))
