"""Units of local government and their tree."""
