"""Asks presence downtown and draws it as a map: the README's example.

    CROWDLENS_URL=http://127.0.0.1:8787 CROWDLENS_TOKEN=cl_... python examples/presence_map.py map.png
"""

import os
import sys

import matplotlib.pyplot as plt

import crowdlens

client = crowdlens.Client(os.environ.get("CROWDLENS_URL", "http://127.0.0.1:8787"), os.environ["CROWDLENS_TOKEN"])
# Devices per res-9 cell around downtown Minneapolis on Monday evening, within ±25 at 95%.
answer = client.presence(
    "bbox:-93.29,44.965,-93.245,44.99", "2026-11-02T16:00:00Z", "2026-11-02T22:00:00Z",
    bucket="6h", res=9, accuracy=25, case="EXAMPLE-1", purpose="research",
)
cells = answer.to_geodataframe()
half_width = (cells["ci_high"] - cells["value"]).max()
fig, ax = plt.subplots(figsize=(7, 6))
cells.plot(ax=ax, column="value", cmap="viridis", legend=True, edgecolor="white", linewidth=0.3,
           legend_kwds={"label": f"devices (noisy, ±{half_width:.0f} at 95%)", "shrink": 0.8})
asked = answer.question
ax.set_title(f"Downtown Minneapolis, {asked['from'][:10]} {asked['from'][11:16]}–{asked['to'][11:16]} UTC\n"
             f"presence per H3 cell, crowdlens answer #{answer.answer_id}", fontsize=11)
ax.set_axis_off()
plt.savefig(sys.argv[1] if len(sys.argv) > 1 else "presence-map.png", dpi=120, bbox_inches="tight")
