# The library's layering (issue 12): each file of preload/ calls only its own layer or lower
# ones, with no cycle (preload/layers, docs/architecture.md), checked with nm on the objects.

.PHONY: check-layers
CHECK_TARGETS += check-layers
HELP_LINES += '  make check-layers      preload/ files call only down their layers, no cycles (nm)'

check-layers: $(B)/libsockleak.so scripts/layers.py preload/layers
	@mkdir -p $(B)/test-results
	@python3 scripts/layers.py preload/layers $(B)/obj/preload $(B)/test-results/layers
