"""Demo data: the Tứ Kỳ district of 2022, its accounts and the reference directive."""
