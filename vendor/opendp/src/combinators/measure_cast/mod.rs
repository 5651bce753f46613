#[allow(non_snake_case)]
mod fixed_approxDP_to_approxDP;
pub use fixed_approxDP_to_approxDP::*;

#[allow(non_snake_case)]
mod zCDP_to_approxDP;
pub use zCDP_to_approxDP::*;

#[allow(non_snake_case)]
mod approximate;
pub use approximate::*;

#[allow(non_snake_case)]
mod pureDP_to_zCDP;
pub use pureDP_to_zCDP::*;
