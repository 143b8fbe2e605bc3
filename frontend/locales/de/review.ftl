# The review texts (see ../README.md).
