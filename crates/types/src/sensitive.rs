//! Sensitive-place categories, after the FTC orders against X-Mode, InMarket, Kochava,
//! Gravy/Venntel and Mobilewalla. Ingest accepts any category a places file names; these are
//! the defaults that `synth` writes and the docs list.

pub const FTC_CATEGORIES: [&str; 12] = [
    "medical",
    "reproductive_health",
    "mental_health_addiction",
    "place_of_worship",
    "shelter",
    "welfare_services",
    "school_childcare",
    "correctional",
    "union_office",
    "lgbtq_services",
    "military",
    "political_gathering",
];
