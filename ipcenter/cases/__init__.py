"""Cases: requests from enterprises, worked through the stages of the center's posts."""
