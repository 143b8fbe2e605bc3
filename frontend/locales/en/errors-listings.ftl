## Errors of listings: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-bad-request-if-match = The If-Match header must hold version tags such as "3".
    .detail = If-Match must hold ETags such as "3".
problem-if-match-required = Send the version you last read, so that no one else's change is overwritten.
    .detail = Send the ETag you last read in an If-Match header.
problem-stale-version = Someone else changed this listing meanwhile. Load it again and repeat your change.
    .detail = If-Match does not match the current version { $etag }; fetch it again and retry.
problem-forbidden-not-member = You are not a member of this organization.
problem-forbidden-staff-create-services = Only city staff can create city services.
    .detail = Only city staff create municipal services.
problem-forbidden-staff-suspend = Only city staff can suspend listings.
    .detail = Only city staff suspend listings.
problem-forbidden-staff-restore = Only city staff can restore listings.
    .detail = Only city staff restore listings.
problem-forbidden-may-not-change = You may not change this listing.
problem-forbidden-may-not-delete = You may not delete this listing.
problem-suspended = This listing is suspended. Only city staff can restore it.
    .detail = A suspended listing can only be restored by city staff.
problem-not-suspended = Only a suspended listing can be restored.
problem-forbidden-staff-review = Only city staff review the names of listings.
    .detail = Only city staff approve or refuse listings waiting for review.
problem-not-pending-review = This listing is not waiting for review.
    .detail = Only a listing with status pending_review can be approved or refused.

v-limit = Choose a page size between 1 and 100.
    .api = must be between 1 and 100
v-cursor = This page link is not valid any more. Start again from the first page.
    .api = not a cursor returned by this API
v-suspend-reason = Give a reason of 3 to 500 characters.
    .api = give a reason of 3-500 characters
problem-listing-has-cases = Residents have filed applications or reports to this listing or booked its offers, so it cannot be deleted: their cases and bookings would go with it. Unpublish it instead; it leaves the public pages and search, and the cases and bookings stay.
    .detail = Residents' applications or reports were filed to this listing; deleting it would delete their cases. Unpublish it instead (POST /api/v1/listings/<id>/unpublish): it leaves public pages and search, and the cases and bookings stay.
problem-listing-served-by-module = A city module serves this listing, so it cannot be deleted. Remove the service from the module's manifest (or remove the module) first, or unpublish the listing.
    .detail = A module's manifest binds a service to this listing. Change the manifest or remove the module first, or unpublish the listing (POST /api/v1/listings/<id>/unpublish).
