# The places texts (see ../README.md).
