"""Online-service figures per unit and month, and the targets they are held to."""
