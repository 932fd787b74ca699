"""``python -m campaign_sim``: the same as the ``campaign-sim`` command."""

from campaign_sim.cli import main

main(prog_name="campaign-sim")
