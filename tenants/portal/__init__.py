"""The beneficiary portal: personal links, the portal session, its home page."""
