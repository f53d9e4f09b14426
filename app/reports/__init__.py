"""Where things stand: the board, summaries, compliance, Excel and Word reports."""
