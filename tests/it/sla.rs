//! SLA clocks: time zones, business hours in minutes, holidays and policies.
