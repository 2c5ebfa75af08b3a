"""Figures for the caller's scope (the home page's numbers)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.selectors.home import home_figures_for_user
from web.api.serializers import HomeFiguresSerializer


@extend_schema(tags=["dashboard"], responses=HomeFiguresSerializer)
class HomeFigures(APIView):
    def get(self, request: Request) -> Response:
        figures = home_figures_for_user(user=request.user)
        return Response(HomeFiguresSerializer(asdict(figures)).data)
