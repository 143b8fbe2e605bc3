## Errors of organizations: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-forbidden-owners-add-members = Only the owners of an organization can add members.
    .detail = Only owners add members.
problem-forbidden-owners-remove-members = Only the owners of an organization can remove other members.
    .detail = Only owners remove other members.
problem-forbidden-admins-create-departments = Only city admins can create departments and module operators.
    .detail = Only city admins create departments and module operators.
problem-already-member = This account is already a member.
problem-last-owner = An organization needs at least one owner. Make another member an owner first.
    .detail = An organization needs at least one owner.
