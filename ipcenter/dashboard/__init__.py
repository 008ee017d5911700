"""The center's numbers: the dashboard managers and staff read, and the monthly report sent to the bureau."""
