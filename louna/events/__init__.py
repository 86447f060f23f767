"""Louna's shared events and news for the web library (issue 18): written by the libraries
and the coordinator, checked by the coordinator, published as RSS and iCalendar feeds by
municipality and as a public list of coming events."""
