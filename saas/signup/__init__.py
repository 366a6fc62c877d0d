"""Online signup of a centre: form, email verification, provisioning."""
