from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class SearchEntry(Model):
    """The user search index, written only by the search consumer.

    Term entries: bucket "user#<first character>", sort "<term>#<user id>",
    so a prefix search is one Query with begins_with on the sort key and the
    order (term, then id) is total. Each term entry also lists all the
    user's terms, so a search can show the user at one entry only. One
    bookkeeping entry per user, bucket
    "terms#<user id>", remembers which terms are indexed so that a rename can
    remove the old ones.
    """

    Meta = table_meta("search")

    bucket = UnicodeAttribute(hash_key=True)
    sort = UnicodeAttribute(range_key=True)
    user_id = NumberAttribute(null=True)
    terms = ListAttribute(of=UnicodeAttribute, null=True)
