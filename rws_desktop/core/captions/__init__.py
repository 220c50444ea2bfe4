"""Checking a post's caption against the register and the policy (sections 2.1 to 2.3).

Names of registered people (pupils and staff) in every usual form, judged against photo consent
with name permission for the channel; personal information (telephone numbers, email addresses,
postcodes, street addresses, dates of birth next to a name), except the school's own published
contact details; links and handles that are not the school's channels; messages addressed to one
person. Needs only the kernel: register data comes in as plain `Person` and `PhotoConsent` records.
"""
