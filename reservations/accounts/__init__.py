"""What an account is beyond Django's user: whether its e-mail address is verified (its owner
read the link we sent there: email_verification.py, its mail sent by verification_emails.py),
and the address it was registered from (the admin shows bursts of accounts from one address:
registrations.py). The rules of names and of ending an account are reservations/users.py's.
"""
