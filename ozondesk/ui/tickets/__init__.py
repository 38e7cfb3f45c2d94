"""The Tickets workspace: the seller's tickets to Ozon and the platform's notifications."""
