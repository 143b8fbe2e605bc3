# The account texts (see ../README.md).
