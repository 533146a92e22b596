"""预约就业指导: booking a visit to a service window, queue numbers, reminders, the staff's day."""
