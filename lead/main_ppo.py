"""Train with verl 0.9.1 and LEAD: ``python -m lead.main_ppo algorithm.adv_estimator=lead ...``.

Takes verl's usual Hydra overrides; the LEAD options are ``algorithm.lead_*`` (no ``+`` needed).
"""

from lead.integrations.verl.main import main

if __name__ == "__main__":
    main()
