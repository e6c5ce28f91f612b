"""The ten industrial chains: segments, supply links, lead units."""
