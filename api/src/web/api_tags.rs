//! The groups of the published API.

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// Businesses and municipal services residents find.
    Listings,
    /// The category taxonomy.
    Categories,
    /// Businesses, city departments and their members.
    Organizations,
    /// Registration, login, sessions and personal API tokens.
    Accounts,
    /// Offers residents book, their availability, and bookings.
    Booking,
    /// An organization's own booking system, connected through the Partner Booking API.
    Partners,
    /// The city's e-government modules: the public register, and their registration and
    /// review by city admins.
    Modules,
}
