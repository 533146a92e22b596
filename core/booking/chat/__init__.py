"""The booking feature's chat flows: booking, the resident's bookings, the staff's day."""
