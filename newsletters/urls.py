from django.urls import path

from . import feeds, views

app_name = "newsletters"
urlpatterns = [
    # staff
    path("", views.index, name="index"),
    path("items/new/", views.item_edit, name="item_create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("issues/assemble/", views.issue_assemble, name="issue_assemble"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<int:pk>/items/<int:item_pk>/add/", views.item_add, name="item_add"),
    path("issues/<int:pk>/approve/", views.issue_approve, name="issue_approve"),
    path("issues/<int:pk>/unapprove/", views.issue_unapprove, name="issue_unapprove"),
    path("issues/<int:pk>/test/", views.issue_send_test, name="issue_send_test"),
    path("issues/<int:pk>/preview/email/", views.issue_preview_email, name="issue_preview_email"),
    path("issues/<int:pk>/preview/email.html", views.issue_preview_email_html, name="issue_preview_email_html"),
    path("issues/<int:pk>/preview/web/", views.issue_preview_web, name="issue_preview_web"),
    path("issues/<int:pk>/progress.json", views.issue_progress_json, name="issue_progress"),
    path("issues/<int:pk>/deliveries/", views.issue_deliveries, name="issue_deliveries"),
    path("parts/<int:pk>/edit/", views.block_edit, name="block_edit"),
    path("parts/<int:pk>/move/", views.block_move, name="block_move"),
    path("parts/<int:pk>/remove/", views.block_remove, name="block_remove"),
    path("subscribers/", views.subscriber_list, name="subscriber_list"),
    path("subscribers/import/", views.subscriber_import, name="subscriber_import"),
    path("subscribers/<int:pk>/", views.subscriber_detail, name="subscriber_detail"),
    path("subscribers/<int:pk>/export.json", views.subscriber_export, name="subscriber_export"),
    path("subscribers/<int:pk>/erase/", views.subscriber_erase, name="subscriber_erase"),
    # portal users
    path("my/", views.my_subscription, name="my_subscription"),
    # public
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("s/<str:token>/", views.subscription, name="subscription"),
    path("s/<str:token>/leave/", views.one_click, name="one_click"),
    path("images/<str:name>", views.item_image, name="item_image"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:year>/", views.archive, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive_issue, name="archive_issue"),
    path("feed/rss/", feeds.IssueFeed(), name="feed_rss"),
    path("feed/atom/", feeds.IssueAtomFeed(), name="feed_atom"),
]
