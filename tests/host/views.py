"""Host views calling the public API, as a project's generation code would."""

from django.http import HttpResponse, HttpResponseNotFound

from ai_models import NoActiveModel, aget_active_model, get_active_model


def chat_model(request):
    try:
        return HttpResponse(get_active_model("chat").model_id)
    except NoActiveModel:
        return HttpResponseNotFound("none")


async def achat_model(request):
    try:
        model = await aget_active_model("chat")
    except NoActiveModel:
        return HttpResponseNotFound("none")
    reply = await model.get_backend().achat(model.model_id, [{"role": "user", "content": "Hi"}])
    return HttpResponse(f"{model.model_id}|{reply.demo}")
