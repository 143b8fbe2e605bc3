# The review texts (see ../README.md).

## Field messages
v-category-city-only = This category is for the city's own services. Choose another one.
    .api = the city administration's categories are for city services only
v-review-reason = Give a reason of 3 to 500 characters.
    .api = give a reason of 3-500 characters

## A listing waiting for review
status-pending_review = Waiting for the city's review
done-review-requested = The name holds a term the city reserves for its own offices. The city checks it before the listing is public.
done-approve = The listing's name is approved and the listing is published.
done-reject = The listing's name is refused; the business sees your reason.
review-waiting = The name holds { $terms }, a term the city reserves for its own offices, so that no one passes themselves off as the city. City staff check the name; the listing is public once they approve it.
review-will-wait = The name holds { $terms }, a term the city reserves for its own offices. When you publish, city staff check the name first.
review-refused = City staff refused the name: { $reason }
review-terms = Reserved: { $terms }

## The staff's pages
review-queue = Waiting for review
review-queue-text = These businesses want to publish a name with a term the city reserves. Approve a name that does not pass itself off as the city; refuse it with a reason the business sees.
review-queue-empty = No listing is waiting for review.
review-approve = Approve
review-reject = Refuse
review-reason = Reason for refusing
review-kind = Kind
review-any-kind = Any kind
review-page-of = Page { $page } of { $pages }
review-organizations-link = All organizations with their members and listings
review-back-admin = Back to administration
review-organizations-count = { $count ->
    [one] One organization
   *[other] { $count } organizations
}
review-no-members = No members.

## The business's dashboard
manage-waiting = Booking requests waiting for you
manage-waiting-total = { $count ->
    [one] One booking request is waiting for your decision.
   *[other] { $count } booking requests are waiting for your decision.
}
manage-waiting-offer = { $name }: { $count ->
    [one] one request
   *[other] { $count } requests
}

## City services
review-official-service = Official service of { $city }

## Emails to a business
mail-business-requested-subject = New booking request: { $offer }
mail-business-requested-intro = a resident asks to book { $offer } ({ $place }) for { $when }. The request waits for your decision.
mail-business-requested-action = Accept or decline it: { $url }
mail-business-cancelled-subject = Booking cancelled: { $offer }, { $when }
mail-business-cancelled-intro = a resident has cancelled their booking of { $offer } ({ $place }) for { $when }. The place is free again.
mail-business-cancelled-action = Your bookings of this offer: { $url }

## The preview of a listing's page (its organization's members and city staff)
review-preview = Preview
preview-pending_review = Not public – waiting for review by the city.
preview-draft = Not public – a draft.
preview-suspended = Not public – suspended by the city.
preview-published = A preview: this listing is public.
preview-text = This is the page as residents will see it once it is public. Search and search engines do not find it.
preview-edit = Edit the listing
