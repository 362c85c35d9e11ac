from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.contacts import selectors, services
from apps.contacts.errors import ContactError
from apps.core.api import parse, render

from . import serializers as s


class ContactListView(APIView):
    @extend_schema(operation_id="contacts_list", responses={200: s.PeopleOutput}, tags=["contacts"])
    def get(self, request):
        return Response(render(s.PeopleOutput, {"results": selectors.contact_list(user_id=request.user.id)}))


class ContactDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["contacts"])
    def delete(self, request, user_id: int):
        services.contact_remove(user=request.user, contact_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(APIView):
    @extend_schema(
        operation_id="invitations_list",
        parameters=[s.InvitationQuery],
        responses={200: s.InvitationPageOutput},
        tags=["contacts"],
    )
    def get(self, request):
        query = parse(s.InvitationQuery, request.query_params)
        rows, has_more = selectors.invitations_for(
            user_id=request.user.id,
            direction=query["direction"],
            status=query.get("status"),
            before_id=query.get("before"),
            limit=query["limit"],
        )
        page = {"results": [services.invitation_public(row) for row in rows], "has_more": has_more}
        return Response(render(s.InvitationPageOutput, page))

    @extend_schema(
        request=s.InvitationInput,
        responses={200: s.InvitationOutput, 201: s.InvitationOutput},
        tags=["contacts"],
    )
    def post(self, request):
        data = parse(s.InvitationInput, request.data)
        invitation, created = services.invitation_send(from_user=request.user, to_user_id=data["user_id"])
        return Response(
            render(s.InvitationOutput, services.invitation_public(invitation)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _decision_view(action):
    class DecisionView(APIView):
        @extend_schema(request=None, responses={200: s.InvitationOutput}, tags=["contacts"])
        def post(self, request, invitation_id: int):
            invitation = action(user=request.user, invitation_id=invitation_id)
            return Response(render(s.InvitationOutput, services.invitation_public(invitation)))

    DecisionView.__name__ = f"Invitation{action.__name__.split('_')[-1].title()}View"
    return DecisionView


InvitationAcceptView = _decision_view(services.invitation_accept)
InvitationDenyView = _decision_view(services.invitation_deny)
InvitationCancelView = _decision_view(services.invitation_cancel)


class BlockListView(APIView):
    @extend_schema(operation_id="blocks_list", responses={200: s.PeopleOutput}, tags=["contacts"])
    def get(self, request):
        return Response(render(s.PeopleOutput, {"results": selectors.blocked_list(user_id=request.user.id)}))

    @extend_schema(request=s.BlockInput, responses={201: None, 200: None}, tags=["contacts"])
    def post(self, request):
        data = parse(s.BlockInput, request.data)
        created = services.user_block(user=request.user, blocked_id=data["user_id"])
        return Response(status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BlockDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["contacts"])
    def delete(self, request, user_id: int):
        services.user_unblock(user=request.user, blocked_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LookupView(APIView):
    """Find a person by their username, or by exact e-mail or phone. The answer has the same
    shape whether or not anyone has them; by e-mail or phone, only people who allow being found
    this way are shown."""

    throttle_scope = "lookup"

    @extend_schema(request=s.LookupInput, responses={200: s.LookupOutput}, tags=["contacts"])
    def post(self, request):
        given = [key for key in s.LOOKUP_INPUTS if isinstance(request.data, dict) and key in request.data]
        if len(given) != 1:
            detail = "Give exactly one of username, email or phone."
            raise ValidationError([ErrorDetail(detail, code=ContactError.LOOKUP_NEEDS_ONE)])
        data = parse(s.LOOKUP_INPUTS[given[0]], request.data)
        found = selectors.person_lookup(viewer_id=request.user.id, **data)
        return Response(render(s.LookupOutput, {"results": [found] if found else []}))


class PrivacyView(APIView):
    @extend_schema(responses={200: s.PrivacySerializer}, tags=["contacts"])
    def get(self, request):
        return Response(render(s.PrivacySerializer, selectors.privacy_of(user_id=request.user.id)))

    @extend_schema(request=s.PrivacySerializer, responses={200: s.PrivacySerializer}, tags=["contacts"])
    def patch(self, request):
        data = parse(s.PrivacySerializer, request.data)
        return Response(
            render(s.PrivacySerializer, services.privacy_update(user=request.user, groups=data["groups"]))
        )
