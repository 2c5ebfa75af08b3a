"""Public integration endpoints (no session): the answer webhook, the reconnect page and the
branch contact cards."""

from django.urls import path

from integrations.views.card import branch_card
from integrations.views.reconnect import reconnect_page
from integrations.views.webhooks import inquiry_answer_webhook

app_name = "integrations"

urlpatterns = [
    path("webhooks/inquiry-answer", inquiry_answer_webhook, name="webhook_answer"),
    path("r/<str:token>/", reconnect_page, name="reconnect"),
    path("card/<str:code>/", branch_card, name="card"),
]
