"""RSS and Atom feeds of the sent issues (django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import selectors
from .rendering import archive_path, markdown_to_html


class IssueFeed(Feed):
    title = _("Newsletter of the Consortium of Public Libraries")
    description = _("The consortium's monthly newsletter to its member libraries.")

    def link(self):
        return reverse("newsletters:archive")

    def items(self):
        return selectors.archive_issues()[:20]

    def item_title(self, issue):
        return issue.localized("subject")

    def item_description(self, issue):
        # Feed readers take the description as HTML: it gets the same cleaned HTML as the
        # page. Plain text would not do: "&lt;script&gt;" typed in the intro comes out of
        # markdown_to_text as a real tag.
        return markdown_to_html(issue.localized("intro"))

    def item_link(self, issue):
        return archive_path(issue)

    def item_pubdate(self, issue):
        return issue.sent_at

    def item_updateddate(self, issue):
        return issue.sent_at


class IssueAtomFeed(IssueFeed):
    feed_type = Atom1Feed
    subtitle = IssueFeed.description
