# The appointments texts (see ../README.md).
