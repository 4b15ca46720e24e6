"""Styled error pages with a way back, and no debug page."""

from django.template.loader import render_to_string
from django.urls import reverse


def test_a_missing_page_is_a_styled_404_with_a_way_back(client, nurse):
    client.force_login(nurse)
    response = client.get("/courses/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "Back to the start page" in body and "tracker/app.css" in body


def test_a_forbidden_page_is_a_styled_403_that_says_why(client, patient_user):
    client.force_login(patient_user)
    response = client.get(reverse("ward"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do this" in body and "This page is for the care team." in body


def test_the_500_page_needs_no_context_and_offers_a_way_back():
    body = render_to_string("500.html")
    assert "Something went wrong" in body and "Back to the start page" in body


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("tracker/favicon.svg")
