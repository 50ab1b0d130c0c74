// Optional e-mail delivery of notifications: an Email Communication Service with an Azure-managed domain
// (<guid>.azurecomm.net, verified by Azure, no DNS work), a Communication Services resource linked to it, and the
// app identity's role on the Communication Services resource so it can call POST {endpoint}/emails:send with an
// Entra ID token (no access key is used). A custom domain is added later in the portal or here.

@description('Name of the Communication Services resource (also the endpoint host name prefix).')
param communicationServiceName string

@description('Name of the Email Communication Service.')
param emailServiceName string

@description('Where Communication Services stores data at rest (e.g. United States).')
param dataLocation string = 'United States'

@description('Tags applied to the resources.')
param tags object

@description('Name of the user-assigned managed identity (in this resource group) that sends the e-mail.')
param identityName string

@description('Local part of the sender address on the managed domain.')
param senderUsername string = 'DoNotReply'

// Built-in "Communication and Email Service Owner": the role that permits sending e-mail through the resource with
// an Entra ID token. There is no narrower built-in role for Email send; a custom role is the least-privilege option.
var communicationAndEmailServiceOwnerRoleId = '09976791-48a7-449e-bb21-39d1a415f350'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

resource sendRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, identity.id, communicationAndEmailServiceOwnerRoleId)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', communicationAndEmailServiceOwnerRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communicationService.properties.hostName}'
output senderAddress string = '${senderUsername}@${managedDomain.properties.mailFromSenderDomain}'
