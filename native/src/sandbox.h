// What enterSandbox() is made of.
#pragma once

namespace tsipa {

// The kernel's Landlock ABI version, or 0 when it has none (too old, or not enabled).
int LandlockAbi();

}  // namespace tsipa
